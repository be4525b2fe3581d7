// The log's pure parts: lines cut from chunks (a UTF-8 character split
// across two stays whole, a huge line is cut, a file read from its middle
// drops its partial first line), the ring's bounds, the overlap a resumed
// follow drops, timestamps and severities.
import { describe, expect, it } from 'vitest';
import { LineSplitter, LOG_LINE_MAX_CHARS, logSeverity, LogRing, ResumeFilter, splitTimestamp } from '../../src/model/server-log.js';

describe('LineSplitter', () => {
  it('keeps a line whole across chunks, also a UTF-8 character cut in two, and drops \\r', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('LOG:  café\r\nsecond', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1;
    expect(s.push(bytes.subarray(0, cut))).toEqual([]);
    expect(s.push(bytes.subarray(cut))).toEqual(['LOG:  café']);
    expect(s.push(Buffer.from(' line\n'))).toEqual(['second line']);
  });

  it('cuts a huge line at the cap and drops the rest of it up to its newline', () => {
    const s = new LineSplitter();
    const huge = 'x'.repeat(LOG_LINE_MAX_CHARS * 10);
    const out = [...s.push(Buffer.from(huge.slice(0, 30_000))), ...s.push(Buffer.from(`${huge.slice(30_000)}\nnext\n`))];
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(`${'x'.repeat(LOG_LINE_MAX_CHARS)} … (cut)`);
    expect(out[1]).toBe('next');
  });

  it('drops the partial first line of a file read from its middle', () => {
    expect(new LineSplitter({ dropFirstLine: true }).push(Buffer.from('tail of a line\nwhole\n'))).toEqual(['whole']);
  });
});

describe('LogRing', () => {
  it('keeps the last lines by count and by bytes, oldest first out', () => {
    const ring = new LogRing(3, 1_000);
    for (let i = 1; i <= 5; i++) ring.push(`line ${i}`);
    expect(ring.snapshot().map((l) => l.text)).toEqual(['line 3', 'line 4', 'line 5']);
    expect(ring.snapshot().map((l) => l.seq)).toEqual([3, 4, 5]);
    const small = new LogRing(100, 25);
    for (let i = 1; i <= 5; i++) small.push(`0123456789-${i}`);
    // 12 bytes a line, 25 at most: the last two.
    expect(small.snapshot().map((l) => l.text)).toEqual(['0123456789-4', '0123456789-5']);
  });
});

describe('ResumeFilter', () => {
  it('drops what a resumed follow sends again: older lines, and at the last time the ones already kept', () => {
    const ring = new LogRing();
    ring.push('a', '2026-12-02T06:00:00.100Z');
    ring.push('b', '2026-12-02T06:00:01.000Z');
    ring.push('c', '2026-12-02T06:00:01.000Z');
    const last = ring.lastStamped()!;
    const filter = new ResumeFilter(last, ring.textsAt(last.at!));
    expect(filter.keep('2026-12-02T06:00:00.100Z', 'a')).toBe(false);
    expect(filter.keep('2026-12-02T06:00:01.000Z', 'b')).toBe(false);
    expect(filter.keep('2026-12-02T06:00:01.000Z', 'c')).toBe(false);
    expect(filter.keep('2026-12-02T06:00:01.000Z', 'd')).toBe(true);
    expect(filter.keep('2026-12-02T06:00:02.000Z', 'a')).toBe(true);
    // Once past the last time, everything is new.
    expect(filter.keep('2026-12-02T06:00:00.000Z', 'late')).toBe(true);
    expect(new ResumeFilter(undefined, []).keep('2020-01-01T00:00:00Z', 'x')).toBe(true);
  });
});

describe('timestamps and severities', () => {
  it('splits the RFC 3339 time pods/log writes before a line', () => {
    expect(splitTimestamp('2026-12-02T06:15:02.123456789Z LOG:  ready')).toEqual({ at: '2026-12-02T06:15:02.123456789Z', text: 'LOG:  ready' });
    expect(splitTimestamp('LOG:  no time')).toEqual({ at: null, text: 'LOG:  no time' });
  });

  it('ERROR, FATAL, PANIC are alerts and WARNING a warning, with any log_line_prefix, in csvlog too; a word in a query is not', () => {
    expect(logSeverity('2026-12-02 06:15:02 UTC [42] ERROR:  division by zero')).toBe('alert');
    expect(logSeverity('FATAL:  the database system is shutting down')).toBe('alert');
    expect(logSeverity('PANIC:  could not write to file')).toBe('alert');
    expect(logSeverity('WARNING:  there is no transaction in progress')).toBe('warn');
    expect(logSeverity('2026-12-02 06:15:02.123 UTC,"postgres","shop",42,"[local]",x,1,"SELECT",2026-12-02 06:15:00 UTC,3/4,0,ERROR,22012,"division by zero"')).toBe('alert');
    expect(logSeverity("LOG:  statement: SELECT 'ERROR: not really'")).toBeNull();
    expect(logSeverity('LOG:  checkpoint complete')).toBeNull();
  });
});
