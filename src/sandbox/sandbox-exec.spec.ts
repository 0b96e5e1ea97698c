import { FrameDecoder } from './sandbox-exec';
import { parseOwner } from './sandbox.labels';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('FrameDecoder', () => {
  it('interleaves stdout and stderr in arrival order, across chunk boundaries', () => {
    const decoder = new FrameDecoder();
    const all = Buffer.concat([frame(1, 'out1 '), frame(2, 'err '), frame(1, 'out2')]);
    const payloads = [
      ...decoder.push(all.subarray(0, 11)),
      ...decoder.push(all.subarray(11, 20)),
      ...decoder.push(all.subarray(20)),
    ];
    expect(Buffer.concat(payloads).toString()).toBe('out1 err out2');
  });
});

describe('parseOwner', () => {
  it('splits host and pid, tolerating colons in the host', () => {
    expect(parseOwner('worker-1:4242')).toEqual({ host: 'worker-1', pid: 4242 });
    expect(parseOwner('a:b:7')).toEqual({ host: 'a:b', pid: 7 });
    expect(parseOwner('garbage')).toBeUndefined();
    expect(parseOwner(undefined)).toBeUndefined();
  });
});
