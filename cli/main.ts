// Entry point of the `fusion-risk` bin: runs on import (bin/fusion-risk.js requires it through tsx).
import { runCli } from './run';

process.exitCode = runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
