/**
 * What every operators' command shares: lines to stdout/stderr, a usage error (exit 2) for a bad command line, and
 * the exit code set from the command's result (0 done, 1 something left to look at, 2 it could not run).
 */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const consoleIo: CommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Parses the arguments (a string is the problem) and runs `run` with them; 2 with the usage on a bad line. */
export async function withArgs<A>(
  parse: (argv: string[]) => A | string,
  usage: string,
  run: (args: A, io: CommandIo) => Promise<number>,
  io: CommandIo = consoleIo,
): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (typeof args === 'string') {
    io.err(`${args}\n${usage}`);
    return 2;
  }
  return run(args, io);
}

/** Runs a command's main as the process: its result is the exit code, a crash is 2. */
export function runAsProcess(main: () => Promise<number>): void {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 2;
    },
  );
}
