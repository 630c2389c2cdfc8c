// Entry point for running the CLI from source (tests spawn this with tsx); the published bin uses dist/.
import { main } from './main.js';

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`argosy: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
