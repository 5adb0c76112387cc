import { loadAvailabilityConfig } from '../../config/availability-config.js';
import { printStarted } from './print-started.js';
import { startCas } from './start-cas.js';
import { stopOnSignal } from './stop-on-signal.js';

/** `cas [-c FILE] serve` (the default): runs the server until SIGINT or SIGTERM. */
export async function serveCommand(configFile: string | undefined): Promise<void> {
  const started = await startCas(loadAvailabilityConfig(configFile, process.cwd()));
  printStarted(started);
  stopOnSignal(async () => {
    await started.servers.close();
    await started.rt.close();
  });
}
