// Process entry for the CLI: runs main() and sets the exit code (long-running commands keep the process alive).
import { main } from './main.js';

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exitCode = code;
}, (err: unknown) => {
  process.stderr.write(`tollgate: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
