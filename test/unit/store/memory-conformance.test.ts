import { createMemoryBackend } from '../../../src/store/physical/memory.js';
import { storeConformance } from '../../conformance/store-conformance.js';

storeConformance('memory', {
  durable: false,
  fresh: () => {
    const backend = createMemoryBackend();
    return Promise.resolve({
      open: () => Promise.resolve(backend),
      cleanup: () => Promise.resolve(),
    });
  },
});
