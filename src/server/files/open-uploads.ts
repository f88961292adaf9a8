/**
 * The uploads whose partial file is open right now, by file id, by the connection that holds them and
 * by address (issue #11.7). An open upload costs a file descriptor: before this, one stayed open after
 * its connection closed, until an hourly sweep, and 60 users took 20,000 descriptors in 65 s. Now an
 * upload is open only while a live connection is using it, and one address may hold only so many.
 */
import type { AddressKey } from '../guards/address-group.js';
import type { Upload } from './upload.js';

/** Who holds an open upload: the connection its chunks arrive on. */
export interface UploadHolder {
  /** The peer's IP address. */
  readonly address: string;
  /** True once the connection has closed: it must not be left holding an open file. */
  readonly closed: boolean;
}

/** The open uploads, indexed three ways; UploadLifecycle (upload-lifecycle.ts) decides when one opens and closes. */
export class OpenUploads {
  private readonly byFile = new Map<number, Upload>();
  private readonly byHolder = new Map<UploadHolder, Set<Upload>>();
  private readonly perAddress = new Map<string, number>();

  /** Addresses are counted by group, as every per-address limit is (issue #11.17); exempt ones not at all. */
  constructor(private readonly addressKey: AddressKey) {}

  /** Open uploads in all (each holds one file descriptor). */
  get size(): number {
    return this.byFile.size;
  }

  /** The open upload of file `fileId`, if it is open. */
  get(fileId: number): Upload | undefined {
    return this.byFile.get(fileId);
  }

  /** Open uploads held from `holder`'s address group; null when the address is exempt (not counted). */
  countFrom(holder: UploadHolder): number | null {
    const key = this.addressKey(holder.address);
    return key === null ? null : (this.perAddress.get(key) ?? 0);
  }

  /** Records an open upload, held by `upload.holder`. */
  add(upload: Upload): void {
    this.byFile.set(upload.file.id, upload);
    this.attach(upload);
  }

  /** Moves an open upload to another connection (the user reconnected and continues on the new one). */
  hand(upload: Upload, holder: UploadHolder): void {
    if (upload.holder === holder) return;
    this.detach(upload);
    upload.holder = holder;
    this.attach(upload);
  }

  /** Forgets an upload (closed, finished or discarded); false when it was not this one that was open. */
  remove(upload: Upload): boolean {
    if (this.byFile.get(upload.file.id) !== upload) return false;
    this.byFile.delete(upload.file.id);
    this.detach(upload);
    return true;
  }

  /** The open uploads a connection holds. */
  heldBy(holder: UploadHolder): Upload[] {
    return [...(this.byHolder.get(holder) ?? [])];
  }

  /** Every open upload (a copy: closing them while iterating is fine). */
  all(): Upload[] {
    return [...this.byFile.values()];
  }

  private attach(upload: Upload): void {
    let set = this.byHolder.get(upload.holder);
    if (!set) this.byHolder.set(upload.holder, (set = new Set()));
    set.add(upload);
    const key = this.addressKey(upload.holder.address);
    if (key !== null) this.perAddress.set(key, (this.perAddress.get(key) ?? 0) + 1);
  }

  private detach(upload: Upload): void {
    const set = this.byHolder.get(upload.holder);
    set?.delete(upload);
    if (set?.size === 0) this.byHolder.delete(upload.holder);
    const key = this.addressKey(upload.holder.address);
    if (key === null) return;
    const left = (this.perAddress.get(key) ?? 1) - 1;
    if (left > 0) this.perAddress.set(key, left);
    else this.perAddress.delete(key);
  }
}
