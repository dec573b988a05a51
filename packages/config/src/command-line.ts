/**
 * The operator CLIs' command lines (services' cli.ts), one behaviour for all: node:util parseArgs
 * in strict mode with -h/--help and --version added; --help and --version print to `out` and exit
 * 0; a bad command line prints what is wrong and the usage to `err` and exits 64 (sysexits
 * EX_USAGE). The scripts' equivalent is scripts/lib/command-line.js (plain Node, no build).
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** Bad command line (sysexits EX_USAGE). */
export const EXIT_USAGE = 64;

/** A command-line mistake: its message names the option or argument. */
export class UsageError extends Error {}

const STANDARD = { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } } as const;

/** argv read strictly against `options` (plus help and version); a parseArgs refusal becomes a UsageError. */
export function readArgs<const O extends ParseArgsOptionsConfig>(argv: string[], options: O) {
  const config = { args: argv, options: { ...options, ...STANDARD }, allowPositionals: true, strict: true } as const;
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export interface CommandLine<C> {
  /** The program's name as the messages show it. */
  name: string;
  version: string;
  usage: string;
  /** Reads the command; throws UsageError for a bad command line; 'help' and 'version' for those flags. */
  parse: () => C | 'help' | 'version';
  /** Runs a parsed command; answers its exit code. */
  run: (command: C) => Promise<number>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Parses and runs one command line; answers the exit code (EXIT_USAGE for a UsageError). */
export async function runCommandLine<C>(cli: CommandLine<C>): Promise<number> {
  let command: C | 'help' | 'version';
  try {
    command = cli.parse();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    cli.err(`${cli.name}: ${e.message}\n${cli.usage}`);
    return EXIT_USAGE;
  }
  if (command === 'help') {
    cli.out(cli.usage);
    return 0;
  }
  if (command === 'version') {
    cli.out(`${cli.name} ${cli.version}`);
    return 0;
  }
  return cli.run(command);
}
