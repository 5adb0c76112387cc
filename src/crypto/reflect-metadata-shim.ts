// @peculiar/x509 builds on tsyringe, which refuses to load unless the `reflect-metadata`
// polyfill is present; that package is not a dependency of this project. tsyringe only needs
// to store and read the decorator metadata of x509's own classes, so this minimal, spec-shaped
// stand-in (what `reflect-metadata` provides) is installed once, before x509 is loaded, by
// `./x509.ts`. An existing polyfill is left alone.

type MetadataStore = WeakMap<object, Map<string | symbol | undefined, Map<unknown, unknown>>>;

interface ReflectMetadata {
  getMetadata?: unknown;
}

function install(): void {
  const reflect = Reflect as unknown as ReflectMetadata & Record<string, unknown>;
  if (typeof reflect.getMetadata === 'function') return;
  const store: MetadataStore = new WeakMap();
  const own = (target: object, key: string | symbol | undefined, create: boolean) => {
    let byKey = store.get(target);
    if (byKey === undefined) {
      if (!create) return undefined;
      byKey = new Map();
      store.set(target, byKey);
    }
    let entries = byKey.get(key);
    if (entries === undefined && create) {
      entries = new Map();
      byKey.set(key, entries);
    }
    return entries;
  };
  const getOwnMetadata = (name: unknown, target: object, key?: string | symbol) =>
    own(target, key, false)?.get(name);
  const getMetadata = (name: unknown, target: object, key?: string | symbol): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const entries = own(t, key, false);
      if (entries?.has(name) === true) return entries.get(name);
    }
    return undefined;
  };
  const defineMetadata = (name: unknown, value: unknown, target: object, key?: string | symbol) => {
    own(target, key, true)!.set(name, value);
  };
  Object.assign(reflect, {
    getMetadata,
    getOwnMetadata,
    defineMetadata,
    hasMetadata: (name: unknown, target: object, key?: string | symbol) =>
      getMetadata(name, target, key) !== undefined,
    hasOwnMetadata: (name: unknown, target: object, key?: string | symbol) =>
      own(target, key, false)?.has(name) === true,
    metadata:
      (name: unknown, value: unknown) =>
      (target: object, key?: string | symbol): void => {
        defineMetadata(name, value, target, key);
      },
  });
}

install();
