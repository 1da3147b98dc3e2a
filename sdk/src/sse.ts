/**
 * A server-sent events parser following the WHATWG HTML "event stream interpretation" rules, fed with
 * raw bytes as they arrive: chunks may split a line, a CRLF pair or a multi-byte UTF-8 character.
 */
export interface SseEvent {
  /** The `event:` field, or 'message' when absent. */
  type: string;
  /** The `data:` lines joined by \n. */
  data: string;
  /** The last `id:` seen on this stream (it persists across events that carry none). */
  lastEventId: string;
}

const LF = 10;
const CR = 13;

export class SseParser {
  // stream: true keeps a split UTF-8 sequence until its last byte arrives; the decoder drops a leading BOM.
  private readonly decoder = new TextDecoder();
  private pending = '';
  private afterCR = false;
  private data = '';
  private type = '';
  private idBuffer: string;
  /** The last event id committed by a dispatched event (what Last-Event-ID should carry). */
  lastEventId: string;
  /** The reconnection time the server asked for with `retry:`, if any. */
  retryMs: number | undefined;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    lastEventId = '',
  ) {
    this.idBuffer = lastEventId;
    this.lastEventId = lastEventId;
  }

  push(chunk: Uint8Array): void {
    this.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** The stream ended: an event without its terminating blank line is discarded, as the spec says. */
  end(): void {
    this.feed(this.decoder.decode());
    this.pending = '';
    this.data = '';
    this.type = '';
  }

  private feed(text: string): void {
    if (text === '') return;
    // A CR ended the previous chunk: an LF starting this one belongs to the same line break.
    if (this.afterCR && text.charCodeAt(0) === LF) text = text.slice(1);
    this.afterCR = false;
    const buffer = this.pending + text;
    let start = 0;
    for (let i = this.pending.length; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      this.line(buffer.slice(start, i));
      if (c === CR) {
        if (i + 1 === buffer.length) this.afterCR = true;
        else if (buffer.charCodeAt(i + 1) === LF) i++;
      }
      start = i + 1;
    }
    this.pending = buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return; // a comment (servers send them as keep-alives)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data += value + '\n';
    else if (field === 'id') {
      if (!value.includes('\0')) this.idBuffer = value;
    } else if (field === 'retry') {
      if (/^\d+$/.test(value)) this.retryMs = Number(value);
    }
  }

  private dispatch(): void {
    this.lastEventId = this.idBuffer;
    const data = this.data;
    const type = this.type || 'message';
    this.data = '';
    this.type = '';
    if (data === '') return;
    this.onEvent({ type, data: data.slice(0, -1), lastEventId: this.lastEventId });
  }
}
