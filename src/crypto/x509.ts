// The one entry to @peculiar/x509 in this project: importing it through here installs the
// metadata polyfill its dependency tsyringe demands first (see ./reflect-metadata-shim.ts).
// ES modules evaluate imports in order, so the shim runs before x509 is loaded.
import './reflect-metadata-shim.js';
import * as x509 from '@peculiar/x509';

/** The @peculiar/x509 namespace, safe to use (tsyringe's polyfill check is satisfied). */
export { x509 };
