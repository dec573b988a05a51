// The scripts' command lines on node:util parseArgs, one behaviour for all: --help prints the
// usage to stdout and exits 0; an unknown option, a missing value or a stray argument prints what
// is wrong and the usage to stderr and exits 64 (sysexits EX_USAGE).
const { parseArgs } = require('node:util');

const EXIT_USAGE = 64;

/**
 * Parses argv (default: this process's) against `options` (parseArgs' option specs; `help` is
 * added). Returns { values, positionals }; exits for --help and for a usage error.
 */
function commandLine({ name, usage, options = {}, allowPositionals = false, argv = process.argv.slice(2) }) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    usageError(name, usage, e.message);
  }
  if (parsed.values.help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
}

function usageError(name, usage, message) {
  console.error(`${name}: ${message}\n${usage}`);
  process.exit(EXIT_USAGE);
}

module.exports = { commandLine, usageError, EXIT_USAGE };
