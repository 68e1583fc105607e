// The gateway (demo/server/main.js, same arguments) with a fault for tests:
// it dies (SIGKILL) right after its first mutation commits, before publishing.
// Production code has no fault switch; this entry is the only way to get one.
import { main } from '../../demo/server/main.js';

main({ onCommitted: () => process.kill(process.pid, 'SIGKILL') });
