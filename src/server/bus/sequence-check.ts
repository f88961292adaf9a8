/**
 * Loss and duplicate detection per publisher stream (issue #15). Redis pub/sub is "at most once": a
 * subscriber that was disconnected, or that Redis cut off for a full output buffer, silently misses
 * messages, and a PUBLISH resent after a reconnect can arrive twice. Each publisher numbers its messages
 * per topic (`seq`, from 1, in a random `epoch` per bus instance), so the receiver sees both: a jump is a
 * gap (catch up from the store), a number already seen is a duplicate (dropped).
 */

export type SequenceVerdict = 'deliver' | 'duplicate' | 'gap';

interface Stream {
  epoch: number;
  last: number;
  /** A gap was reported for the whole bus since the last message (a reconnect): a jump is already covered. */
  covered: boolean;
}

export class SequenceCheck {
  /** Key: topic and publisher node. Topics are few (cluster-wide channels), so this stays small. */
  private readonly streams = new Map<string, Stream>();

  /** What to do with message `seq` of `epoch` from `fromNode` on `topic`; records it when delivered. */
  check(topic: string, fromNode: string, epoch: number, seq: number): SequenceVerdict {
    const key = `${topic}\0${fromNode}`;
    const stream = this.streams.get(key);
    // The first message of a publisher (or of its new instance) starts its stream wherever it is: what it
    // published before this subscription began is not missing, it was never ours.
    if (!stream || stream.epoch !== epoch) {
      this.streams.set(key, { epoch, last: seq, covered: false });
      return 'deliver';
    }
    if (seq <= stream.last) return 'duplicate';
    const jumped = seq !== stream.last + 1 && !stream.covered;
    stream.last = seq;
    stream.covered = false;
    return jumped ? 'gap' : 'deliver';
  }

  /** A bus-wide gap was just reported: the next jump of every stream is part of it, not a new one. */
  coverAll(): void {
    for (const stream of this.streams.values()) stream.covered = true;
  }

  /** This node stopped listening to `topic`: whatever it missed meanwhile was not lost. */
  forgetTopic(topic: string): void {
    for (const key of this.streams.keys()) if (key.startsWith(`${topic}\0`)) this.streams.delete(key);
  }
}

/** A publisher's numbering: the next `seq` of each topic. */
export class SequenceCounter {
  readonly epoch = (Math.random() * 0x1_0000_0000) >>> 0;
  private readonly next = new Map<string, number>();

  take(topic: string): number {
    const seq = this.next.get(topic) ?? 1;
    this.next.set(topic, seq + 1);
    return seq;
  }
}
