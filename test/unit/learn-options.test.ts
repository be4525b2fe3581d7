// `pgtop learn …` and `--demo` on the command line.
import { describe, expect, it } from 'vitest';
import { parseCommandLine, type DashboardOptions } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';

const parse = (...args: string[]) => parseCommandLine(args, {}, '0.0.0') as DashboardOptions;

describe('pgtop learn and --demo', () => {
  it('takes the dashboard’s connection options, plus --check', () => {
    const cli = parse('learn', '-h', 'db1', '-p', '5433', '-U', 'admin', '--check', 'shop');
    expect(cli.learn).toEqual({ check: true });
    expect(cli.connection).toMatchObject({ host: 'db1', port: '5433', username: 'admin', positional: 'shop' });
    expect(parse('learn').learn).toEqual({ check: false });
    expect(parse('-h', 'db1').learn).toBeUndefined();
  });

  it('knows --demo and --backup-dir, for the dashboard and for learn', () => {
    expect(parse('--demo')).toMatchObject({ demo: true, learn: undefined });
    expect(parse('learn', '--demo')).toMatchObject({ demo: true, learn: { check: false } });
    expect(parse('learn', '--backup-dir', '/srv/b').backupDir).toBe('/srv/b');
    expect(parse().demo).toBe(false);
  });

  it('refuses a connection given with --demo, and --once with learn, in one line', () => {
    expect(() => parse('--demo', '-h', 'db1')).toThrow(new UsageError('--demo starts its own throwaway server: leave out -h/--host'));
    expect(() => parse('learn', '--demo', 'shop')).toThrow(/leave out a database/);
    expect(() => parse('learn', '--once')).toThrow(/pgtop learn --check/);
    expect(() => parse('learn', '--bogus')).toThrow(UsageError);
  });

  it('prints the learn help, naming --check', () => {
    const out = parseCommandLine(['learn', '--help'], {}, '0.0.0');
    expect(out.kind).toBe('exit');
    expect(out.kind === 'exit' && out.output).toMatch(/Usage: pgtop learn[\s\S]*--check/);
    // What means nothing in the session is left out; its keys and exit codes are in.
    expect(out.kind === 'exit' && out.output).not.toMatch(/--once|--json|--screen/);
    expect(out.kind === 'exit' && out.output).toMatch(/n\/→ next, b\/← back[\s\S]*Exit codes: 0/);
  });

  it('prints the backup help with its own options and exit codes, not the dashboard\'s', () => {
    const out = parseCommandLine(['backup', '--help'], {}, '0.0.0');
    const text = out.kind === 'exit' ? out.output : '';
    expect(text).toMatch(/Usage: pgtop backup[\s\S]*--format <format>[\s\S]*--keep-days <n>[\s\S]*--print-cronjob/);
    expect(text).toMatch(/-k, --k8s <type\/name>/);
    expect(text).not.toMatch(/--once|--json|--screen|--interval|--demo|--read-only/);
    expect(text).toMatch(/Exit codes: 0 the backup is complete and verified/);
  });
});
