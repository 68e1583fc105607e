// The engine worker's script, for `mode: 'shared-worker'` (every tab of one
// config and user shares it) and `mode: 'worker'` (one per tab). It imports the
// browser loader directly: workers have no import map, and this file is only
// ever loaded by a browser. Bundlers find it through the tab side's
// `new URL('./engineWorker.js', import.meta.url)`.
import { createModule } from '../wasm/browser.js';
import { clientFromModule } from '../client.js';
import { EngineHost } from './host.js';

let modulePromise = null;

function startEngine(config) {
  if (!modulePromise) {
    modulePromise = createModule({ wasmUrl: config.wasmUrl }).catch((err) => {
      modulePromise = null;
      throw err;
    });
  }
  return modulePromise.then((Module) => clientFromModule(Module, config));
}

const shared = 'onconnect' in self;
const host = new EngineHost(startEngine, {
  mode: shared ? 'shared-worker' : 'worker',
  locks: self.navigator?.locks ?? null,
});
if (shared) self.onconnect = (e) => host.attach(e.ports[0]);
else host.attach(self);
