import { SseParser, type SseEvent } from '../../sdk/src/index';

const encoder = new TextEncoder();

function parse(chunks: (string | Uint8Array)[], lastEventId?: string) {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event), lastEventId);
  for (const chunk of chunks) parser.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
  parser.end();
  return { events, parser };
}

/** The same stream cut at every byte offset, and byte by byte: the result must never change. */
function expectSplitInvariant(stream: string, expected: SseEvent[]) {
  const bytes = encoder.encode(stream);
  for (let cut = 0; cut <= bytes.length; cut++) {
    expect(parse([bytes.slice(0, cut), bytes.slice(cut)]).events).toEqual(expected);
  }
  expect(parse(Array.from(bytes, (b) => Uint8Array.of(b))).events).toEqual(expected);
}

describe('SseParser', () => {
  it('reads event, data and id fields', () => {
    const { events, parser } = parse(['event: alert\nid: c-1\ndata: {"a":1}\n\n']);
    expect(events).toEqual([{ type: 'alert', data: '{"a":1}', lastEventId: 'c-1' }]);
    expect(parser.lastEventId).toBe('c-1');
  });

  it("defaults the type to 'message' and joins multi-line data with \\n", () => {
    expect(parse(['data: one\ndata: two\ndata\ndata:three\n\n']).events).toEqual([
      { type: 'message', data: 'one\ntwo\n\nthree', lastEventId: '' },
    ]);
  });

  it('strips exactly one space after the colon', () => {
    expect(parse(['data:  two spaces \n\n']).events[0].data).toBe(' two spaces ');
  });

  it('ignores comments and unknown fields', () => {
    expect(parse([': keep-alive\nfoo: bar\ndata: x\n:another\n\n']).events).toEqual([
      { type: 'message', data: 'x', lastEventId: '' },
    ]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('accepts %s line endings', (_name, eol) => {
    const stream = `event: alert${eol}id: 1${eol}data: a${eol}data: b${eol}${eol}data: c${eol}${eol}`;
    expect(parse([stream]).events).toEqual([
      { type: 'alert', data: 'a\nb', lastEventId: '1' },
      { type: 'message', data: 'c', lastEventId: '1' },
    ]);
  });

  it('treats a CR at the end of a chunk and an LF at the start of the next as one line break', () => {
    expect(parse(['data: a\r', '\ndata: b\r', '\n\r', '\n']).events).toEqual([
      { type: 'message', data: 'a\nb', lastEventId: '' },
    ]);
  });

  it('gives the same events wherever the chunks split, multi-byte characters included', () => {
    const stream =
      '\uFEFFevent: alert\r\nid: 000001700000001.000000001~é\r\ndata: {"subject":"€ 1 — 💥"}\r\n\r\n' +
      ': comment\revent: heartbeat\rdata: {"intervalMs":5000}\r\r' +
      'data: ü\ndata: 日本\n\n';
    expectSplitInvariant(stream, [
      { type: 'alert', data: '{"subject":"€ 1 — 💥"}', lastEventId: '000001700000001.000000001~é' },
      { type: 'heartbeat', data: '{"intervalMs":5000}', lastEventId: '000001700000001.000000001~é' },
      { type: 'message', data: 'ü\n日本', lastEventId: '000001700000001.000000001~é' },
    ]);
  });

  it('keeps the last id across events without one, and commits an id sent without data', () => {
    const { events, parser } = parse(['id: 5\ndata: a\n\nevent: portfolio\ndata: b\n\nid: 6\n\n']);
    expect(events.map((e) => e.lastEventId)).toEqual(['5', '5']);
    expect(parser.lastEventId).toBe('6');
  });

  it('starts from the given last event id (a resumed connection)', () => {
    expect(parse(['data: x\n\n'], 'c-9').events[0].lastEventId).toBe('c-9');
  });

  it('ignores an id containing NUL and a non-numeric retry', () => {
    const { events, parser } = parse(['id: 1\n\nid: a\0b\nretry: 10x\ndata: x\n\nretry: 250\n\n']);
    expect(events[0].lastEventId).toBe('1');
    expect(parser.retryMs).toBe(250);
  });

  it('does not dispatch an event with no data, nor one cut off by the end of the stream', () => {
    expect(parse(['event: alert\n\n', 'data: never finished\n']).events).toEqual([]);
    expect(parse(['data: no final newline']).events).toEqual([]);
  });

  it('treats a line without a colon as a field with an empty value', () => {
    expect(parse(['data\ndata\n\n']).events[0].data).toBe('\n');
  });
});
