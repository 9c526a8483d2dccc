// The command line, compatible with the Go server's: `-config`/`-port` flags (one or two
// dashes, `=value` or a separate value) falling back to CONFIG_FILE and PORT.

import { parsePortNumber } from './config/port-number.js';

export const DEFAULT_CONFIG_FILE = 'config/periskop.yaml';

/** periskop-pushgateway's customary port. */
export const DEFAULT_PUSHGATEWAY_PORT = 7878;

export type CommandLine =
  | { command: 'serve'; configFile: string; port?: number }
  /** fromSnapshot: start from the newest read-model snapshot instead of the empty read model. */
  | { command: 'replay'; configFile: string; fromSnapshot?: true }
  | { command: 'pushgateway'; port: number }
  | { command: 'help' };

export const USAGE = `Usage:
  periskop [serve] [--config FILE] [--port N]   run the server (the default command)
  periskop replay [--config FILE]               rebuild the read model from the event log
          [--from-snapshot]                     ... from the newest snapshot plus the log after it
  periskop pushgateway [--port N]               run a push gateway for clients that cannot be
                                                scraped (POST /errors, scraped on GET /-/errors)
  periskop --help                               show this text

Options:
  --config FILE  configuration file (else $CONFIG_FILE, else ${DEFAULT_CONFIG_FILE})
  --port N       HTTP port, 1..65535 (else $PORT, else server.port in the file, else 8080;
                 for pushgateway: else $PORT, else ${DEFAULT_PUSHGATEWAY_PORT})
`;

/** A command line that cannot be run; the caller prints the message and USAGE, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const COMMANDS = ['serve', 'replay', 'pushgateway'] as const;
type Command = (typeof COMMANDS)[number];

const OPTIONS = ['config', 'port'] as const;
type Option = (typeof OPTIONS)[number];

/** `argv` is what follows the program name (`process.argv.slice(2)`). Pure: reads only its arguments. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  let command: Command | undefined;
  const flags = new Map<Option, string>();
  let fromSnapshot = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '-h' || arg === '--help' || arg === '-help' || arg === 'help') return { command: 'help' };
    if (arg === '--from-snapshot' || arg === '-from-snapshot') {
      fromSnapshot = true;
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const { option, inlineValue } = splitFlag(arg);
      const value = inlineValue ?? flagValue(argv[index + 1], option);
      if (inlineValue === undefined) index++;
      if (value === '') throw new UsageError(`--${option} needs a value`);
      flags.set(option, value); // repeated flags: the last one wins, as with Go's flag package
    } else if (command === undefined) {
      // Flag values are consumed above, so the first plain argument is the command.
      command = parseCommand(arg);
    } else {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  const resolved = resolveCommandLine(command ?? 'serve', flags, env);
  if (!fromSnapshot) return resolved;
  if (resolved.command !== 'replay') throw new UsageError('--from-snapshot is only for replay');
  return { ...resolved, fromSnapshot: true };
}

function resolveCommandLine(command: Command, flags: ReadonlyMap<Option, string>, env: NodeJS.ProcessEnv): CommandLine {
  const configFile = flags.get('config') ?? nonEmpty(env['CONFIG_FILE']) ?? DEFAULT_CONFIG_FILE;
  if (command === 'replay') {
    if (flags.has('port')) throw new UsageError('replay serves no HTTP: --port is only for serve and pushgateway');
    return { command, configFile };
  }
  const portFlag = flags.get('port');
  const port =
    portFlag !== undefined ? portNumber(portFlag, '--port') : optionalPort(nonEmpty(env['PORT']), 'PORT');
  if (command === 'pushgateway') {
    // Like periskop-pushgateway, which took its port from PORT too; it reads no configuration.
    if (flags.has('config')) throw new UsageError('pushgateway reads no configuration: --config is only for serve and replay');
    return { command, port: port ?? DEFAULT_PUSHGATEWAY_PORT };
  }
  return port === undefined ? { command, configFile } : { command, configFile, port };
}

function splitFlag(arg: string): { option: Option; inlineValue: string | undefined } {
  const body = arg.replace(/^--?/, '');
  const equals = body.indexOf('=');
  const name = equals === -1 ? body : body.slice(0, equals);
  if (!(OPTIONS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown option ${JSON.stringify(arg)} (options: --config, --port, --from-snapshot, --help)`);
  }
  return { option: name as Option, inlineValue: equals === -1 ? undefined : body.slice(equals + 1) };
}

// `--config --port 1` is a forgotten value, not a config file named "--port".
function flagValue(next: string | undefined, option: Option): string {
  if (next === undefined || (next.startsWith('-') && next !== '-')) throw new UsageError(`--${option} needs a value`);
  return next;
}

function parseCommand(arg: string): Command {
  if (!(COMMANDS as readonly string[]).includes(arg)) {
    throw new UsageError(`unknown command ${JSON.stringify(arg)} (commands: ${COMMANDS.join(', ')})`);
  }
  return arg as Command;
}

function portNumber(text: string, source: string): number {
  try {
    return parsePortNumber(text);
  } catch (error) {
    throw new UsageError(`${source}: ${(error as Error).message}`);
  }
}

function optionalPort(text: string | undefined, source: string): number | undefined {
  return text === undefined ? undefined : portNumber(text, source);
}

// Unset and empty are the same for CONFIG_FILE and PORT, as with Go's os.Getenv.
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
