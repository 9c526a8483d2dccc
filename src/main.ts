#!/usr/bin/env node
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createPeriskopApp } from './app.js';
import { parseCommandLine, UsageError, USAGE } from './cli.js';
import { ConfigError, loadConfig } from './config/index.js';
import type { PeriskopConfig } from './config/config.types.js';
import { runPushgateway } from './pushgateway/pushgateway.js';
import { replayReadModel } from './replay.js';

// Exit codes: 0 done, 1 failure at run time, 2 bad command line or configuration.

/** What Kubernetes (SIGTERM), a terminal (SIGINT) and a closed session (SIGHUP) send to stop a server. */
const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'];

async function main(): Promise<number> {
  let command;
  let config: PeriskopConfig;
  try {
    command = parseCommandLine(process.argv.slice(2), process.env);
    if (command.command === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (command.command === 'pushgateway') {
      await runPushgateway(command.port);
      return -1;
    }
    config = loadConfig(command.configFile, process.env);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`periskop: ${error.message}\n`);
      if (error instanceof UsageError) process.stderr.write(USAGE);
      return 2;
    }
    throw error;
  }

  if (command.command === 'replay') {
    const report = await replayReadModel(config, (applied, head) => process.stderr.write(`\rreplayed through ${applied}/${head}`), {
      fromSnapshot: command.fromSnapshot,
      onSnapshotSkipped: (name, why) => process.stderr.write(`skipped snapshot ${name}: ${why}\n`),
    });
    const rate = report.seconds > 0 ? Math.round(report.events / report.seconds) : report.events;
    const start = report.snapshotSeq === undefined ? '' : report.snapshotSeq > 0 ? ` after the snapshot at sequence ${report.snapshotSeq}` : ' (no usable snapshot: from the start of the log)';
    const workers = report.workers > 1 ? `, folded by ${report.workers} worker threads` : '';
    process.stdout.write(`\nreplayed ${report.events} events${start} through sequence ${report.throughSeq} in ${report.seconds.toFixed(2)} s (${rate} events/s)${workers}\n`);
    return 0;
  }

  const port = command.port ?? config.server.port;
  const app = await createPeriskopApp(config);
  // The signals that mean "stop". Not Nest's default of every signal: SIGUSR2 is Node's
  // diagnostics signal (--heapsnapshot-signal, --report-on-signal), and a heap snapshot asked
  // of a running server must not shut it down.
  app.enableShutdownHooks(SHUTDOWN_SIGNALS);
  await app.listen(port);
  const { port: actualPort } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(`periskop listening on http://localhost:${actualPort} (config ${config.file})\n`);
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`periskop: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
