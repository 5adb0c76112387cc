// The one entry to @peculiar/x509 in this project. Its dependency tsyringe refuses to load
// unless the `reflect-metadata` polyfill is installed first; ES modules evaluate imports in
// order, so importing the polyfill here, before x509, satisfies it for every caller.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** The @peculiar/x509 namespace, safe to use (tsyringe's polyfill check is satisfied). */
export { x509 };
