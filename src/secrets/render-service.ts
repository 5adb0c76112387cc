import type { Session } from '../policy/types.js';
import { CasError } from '../errors/cas-error.js';
import { renderTemplate, type SecretLookup } from './render-template.js';
import type { SecretValue } from './secret-value.js';

/** One injection file to materialise: absolute path, octal mode, rendered bytes. */
export interface RenderedFile {
  readonly path: string;
  readonly mode: number;
  readonly content: Buffer;
}

/** Everything a service is provisioned with. */
export interface RenderedService {
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly pwd?: string;
  readonly files: RenderedFile[];
  /**
   * Injection files declared by path only (SCONE's form read at start-up): the CAS has no
   * content for them, so the launcher keeps whatever is at that path.
   */
  readonly pathOnlyFiles: { readonly path: string; readonly mode: number }[];
}

/** Options of {@link renderService}. */
export interface RenderServiceOptions {
  /**
   * Secrets this service may not receive although the map holds them, such as imports whose
   * exporter requires stricter attestation (see `attestationStrictEnough`).
   */
  readonly withhold?: ReadonlySet<string>;
}

/**
 * Renders a service of a session: its command (argv), environment values and working
 * directory as text, and the injection files of its image as bytes.
 *
 * @throws CAS_SECRETS_RENDER_FAILED when the service is not in the session, or a placeholder
 *   cannot be rendered (see `renderTemplate`).
 */
export function renderService(
  session: Session,
  serviceName: string,
  values: ReadonlyMap<string, SecretValue>,
  options: RenderServiceOptions = {},
): RenderedService {
  const service = session.services.find((s) => s.name === serviceName);
  if (service === undefined) {
    throw new CasError(
      'CAS_SECRETS_RENDER_FAILED',
      `session '${session.name}' has no service '${serviceName}'`,
    );
  }
  const lookup: SecretLookup = (name) =>
    options.withhold?.has(name) === true ? undefined : values.get(name);
  const text = (t: string): string => renderTemplate(t, lookup, { context: 'text' });

  const argv = service.command.map(text);
  // fromEntries defines own properties, so a variable named __proto__ stays a variable.
  const env: Record<string, string> = Object.fromEntries(
    Object.entries(service.environment).map(([key, value]) => [key, text(value)]),
  );

  const files: RenderedFile[] = [];
  const pathOnlyFiles: { path: string; mode: number }[] = [];
  // SCONE accepts an image_name the session does not declare (the policy layer warns): such a
  // service simply gets no injection files.
  const image = session.images.find((i) => i.name === service.image_name);
  if (image !== undefined) {
    for (const file of image.injection_files) {
      if (file.content === undefined) {
        pathOnlyFiles.push({ path: file.path, mode: file.permission });
        continue;
      }
      files.push({
        path: file.path,
        mode: file.permission,
        content: renderTemplate(file.content, lookup, { context: 'file' }),
      });
    }
  }
  return {
    argv,
    env,
    ...(service.pwd === undefined ? {} : { pwd: text(service.pwd) }),
    files,
    pathOnlyFiles,
  };
}
