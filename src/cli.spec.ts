import { parseCommandLine, USAGE, UsageError, type CommandLine } from './cli.js';

describe('parseCommandLine', () => {
  it.each<[string, string[], NodeJS.ProcessEnv, CommandLine]>([
    ['no arguments serve the default config', [], {}, { command: 'serve', configFile: 'config/periskop.yaml' }],
    ['serve is the default command', ['serve'], {}, { command: 'serve', configFile: 'config/periskop.yaml' }],
    ['--config FILE', ['--config', 'x.yaml'], {}, { command: 'serve', configFile: 'x.yaml' }],
    ['--config=FILE', ['--config=x.yaml'], {}, { command: 'serve', configFile: 'x.yaml' }],
    ['Go-style -config FILE', ['-config', 'x.yaml'], {}, { command: 'serve', configFile: 'x.yaml' }],
    ['Go-style -port=N', ['-port=7777'], {}, { command: 'serve', configFile: 'config/periskop.yaml', port: 7777 }],
    ['serve --port N', ['serve', '--port', '9000'], {}, { command: 'serve', configFile: 'config/periskop.yaml', port: 9000 }],
    ['flags before the command', ['--port', '9000', 'serve'], {}, { command: 'serve', configFile: 'config/periskop.yaml', port: 9000 }],
    ['replay --config FILE', ['replay', '--config', 'r.yaml'], {}, { command: 'replay', configFile: 'r.yaml' }],
    ['CONFIG_FILE when no flag', [], { CONFIG_FILE: 'env.yaml' }, { command: 'serve', configFile: 'env.yaml' }],
    ['--config wins over CONFIG_FILE', ['--config', 'flag.yaml'], { CONFIG_FILE: 'env.yaml' }, { command: 'serve', configFile: 'flag.yaml' }],
    ['PORT when no flag', [], { PORT: '7777' }, { command: 'serve', configFile: 'config/periskop.yaml', port: 7777 }],
    ['--port wins over PORT', ['--port=9000'], { PORT: '7777' }, { command: 'serve', configFile: 'config/periskop.yaml', port: 9000 }],
    ['empty variables count as unset', [], { PORT: '', CONFIG_FILE: '' }, { command: 'serve', configFile: 'config/periskop.yaml' }],
    ['replay --from-snapshot', ['replay', '--from-snapshot'], {}, { command: 'replay', configFile: 'config/periskop.yaml', fromSnapshot: true }],
    ['replay -from-snapshot after the config', ['replay', '-config', 'r.yaml', '-from-snapshot'], {}, { command: 'replay', configFile: 'r.yaml', fromSnapshot: true }],
    ['replay ignores PORT', ['replay'], { PORT: '7777' }, { command: 'replay', configFile: 'config/periskop.yaml' }],
    ['the last of repeated flags wins', ['--config', 'a.yaml', '--config', 'b.yaml'], {}, { command: 'serve', configFile: 'b.yaml' }],
    ['-h asks for help', ['-h'], {}, { command: 'help' }],
    ['--help asks for help', ['--help'], {}, { command: 'help' }],
    ['help asks for help', ['help'], {}, { command: 'help' }],
    ['help wins over a bad port', ['--port', 'x', '--help'], {}, { command: 'help' }],
    ['pushgateway on its default port', ['pushgateway'], {}, { command: 'pushgateway', port: 7878 }],
    ['pushgateway --port N', ['pushgateway', '--port', '9091'], {}, { command: 'pushgateway', port: 9091 }],
    ['pushgateway --port=N before the command', ['--port=9091', 'pushgateway'], {}, { command: 'pushgateway', port: 9091 }],
    ['pushgateway on PORT, as periskop-pushgateway', ['pushgateway'], { PORT: '6767' }, { command: 'pushgateway', port: 6767 }],
    ['pushgateway ignores CONFIG_FILE', ['pushgateway'], { CONFIG_FILE: 'env.yaml' }, { command: 'pushgateway', port: 7878 }],
    ['pushgateway --help', ['pushgateway', '--help'], {}, { command: 'help' }],
  ])('reads %s', (_behaviour, argv, env, expected) => {
    expect(parseCommandLine(argv, env)).toEqual(expected);
  });

  it.each<[string, string[], NodeJS.ProcessEnv, string]>([
    ['an unknown option', ['--verbose'], {}, 'unknown option "--verbose" (options: --config, --port, --from-snapshot, --help)'],
    ['an unknown command', ['start'], {}, 'unknown command "start" (commands: serve, replay, pushgateway)'],
    ['a second plain argument', ['serve', 'extra'], {}, 'unexpected argument "extra"'],
    ['--config without a value', ['--config'], {}, '--config needs a value'],
    ['--config followed by another flag', ['--config', '--port', '1'], {}, '--config needs a value'],
    ['an empty --config=', ['--config='], {}, '--config needs a value'],
    ['a --port that is not a number', ['--port', 'abc'], {}, '--port: "abc" is not a port number (1..65535)'],
    ['--port 0', ['--port=0'], {}, '--port: "0" is not a port number (1..65535)'],
    ['a bad PORT', [], { PORT: 'x' }, 'PORT: "x" is not a port number (1..65535)'],
    ['--from-snapshot with serve', ['--from-snapshot'], {}, '--from-snapshot is only for replay'],
    ['--port with replay', ['replay', '--port', '1'], {}, 'replay serves no HTTP: --port is only for serve and pushgateway'],
    ['--config with pushgateway', ['pushgateway', '--config', 'x.yaml'], {}, 'pushgateway reads no configuration: --config is only for serve and replay'],
    ['a bad pushgateway --port', ['pushgateway', '--port', '70000'], {}, '--port: "70000" is not a port number (1..65535)'],
    ['a second command', ['pushgateway', 'serve'], {}, 'unexpected argument "serve"'],
  ])('refuses %s', (_behaviour, argv, env, message) => {
    const parse = (): CommandLine => parseCommandLine(argv, env);
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });

  it('documents every command and both options', () => {
    for (const word of ['periskop [serve]', 'periskop replay', 'periskop pushgateway [--port N]', '7878', '--config FILE', '--port N', 'CONFIG_FILE', 'PORT']) {
      expect(USAGE).toContain(word);
    }
  });
});
