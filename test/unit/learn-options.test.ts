// The command line's commands: `pgtop`, `pgtop learn …`, `pgtop backup …`, and `--demo`.
import { describe, expect, it } from 'vitest';
import { parseCommandLine, type CommandLine } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';

const parse = (...args: string[]): CommandLine => parseCommandLine(args, {}, '0.0.0');
const help = (...args: string[]): string => {
  const out = parse(...args, '--help');
  expect(out.kind).toBe('exit');
  return out.kind === 'exit' ? out.output : '';
};

describe('pgtop learn and --demo', () => {
  it('takes the dashboard’s connection options, plus --check', () => {
    const cli = parse('learn', '-h', 'db1', '-p', '5433', '-U', 'admin', '--check', 'shop');
    expect(cli).toMatchObject({ kind: 'learn', check: true });
    expect(cli.kind === 'learn' && cli.target.connection).toMatchObject({ host: 'db1', port: '5433', username: 'admin', positional: 'shop' });
    expect(parse('learn')).toMatchObject({ kind: 'learn', check: false, intervalMs: 2000, readOnly: false });
    expect(parse('learn', '-i', '0.5', '--read-only')).toMatchObject({ kind: 'learn', intervalMs: 500, readOnly: true });
    expect(parse('-h', 'db1')).toMatchObject({ kind: 'dashboard', target: { connection: { host: 'db1' } } });
  });

  it('knows --demo and --backup-dir, for the dashboard and for learn', () => {
    expect(parse('--demo')).toMatchObject({ kind: 'dashboard', target: { demo: true } });
    expect(parse('learn', '--demo')).toMatchObject({ kind: 'learn', check: false, target: { demo: true } });
    expect(parse('learn', '--backup-dir', '/srv/b')).toMatchObject({ backupDir: '/srv/b' });
    expect(parse()).toMatchObject({ kind: 'dashboard', target: { demo: false } });
  });

  it('refuses a connection given with --demo, and --once with learn, in one line', () => {
    expect(() => parse('--demo', '-h', 'db1')).toThrow(new UsageError('--demo starts its own throwaway server: leave out -h/--host'));
    expect(() => parse('learn', '--demo', 'shop')).toThrow(/leave out a database/);
    expect(() => parse('learn', '--once')).toThrow(/pgtop learn --check/);
    expect(() => parse('learn', '--bogus')).toThrow(new UsageError("unknown option '--bogus' (see pgtop learn --help)"));
    expect(() => parse('backup', '--once')).toThrow(/pgtop backup has no --once/);
    expect(() => parse('backup', '--screen', 'locks')).toThrow(/unknown option '--screen' \(see pgtop backup --help\)/);
  });

  it('reads options after a subcommand as the subcommand’s: pgtop learn -h db1 is not the dashboard’s -h', () => {
    expect(() => parse('-h', 'db1', 'learn')).toThrow(new UsageError('--host given before "learn": a command\'s options go after its name (see pgtop learn --help)'));
    // A database named as a subcommand is reached with -d, as in psql.
    expect(parse('-d', 'learn')).toMatchObject({ kind: 'dashboard', target: { connection: { dbname: 'learn' } } });
    expect(parse('backup', '-h', 'db1', '--format', 'plain', 'shop')).toMatchObject({
      kind: 'backup',
      target: { connection: { host: 'db1', positional: 'shop' } },
      backup: { format: 'plain', printCronjob: false },
    });
  });

  it('prints the learn help, naming --check', () => {
    const text = help('learn');
    expect(text).toMatch(/Usage: pgtop learn[\s\S]*--check/);
    // What means nothing in the session is left out; its keys and exit codes are in.
    expect(text).not.toMatch(/--once|--json|--screen/);
    expect(text).toMatch(/n\/→ next, b\/← back[\s\S]*Exit codes: 0/);
  });

  it('prints the backup help with its own options and exit codes, not the dashboard\'s', () => {
    const text = help('backup');
    expect(text).toMatch(/Usage: pgtop backup[\s\S]*--format <format>[\s\S]*--keep-days <n>[\s\S]*--print-cronjob/);
    expect(text).toMatch(/-k, --k8s <type\/name>/);
    expect(text).not.toMatch(/--once|--json|--screen|--interval|--demo|--read-only/);
    expect(text).toMatch(/Exit codes: 0 the backup is complete and verified/);
  });

  it('prints the dashboard help with its options and the other commands, and no help command', () => {
    const text = help();
    expect(text).toMatch(/Usage: pgtop \[OPTIONS\][\s\S]*--screen <name>[\s\S]*--once/);
    expect(text).toMatch(/Commands:\s+learn \[options\][\s\S]*backup \[options\]/);
    expect(text).not.toMatch(/^\s*help \[command\]/m);
  });
});
