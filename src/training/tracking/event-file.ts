// A TensorBoard event file, as tensorboard/summary/writer (event_file_writer.py, record_writer.py) and
// torch.utils.tensorboard's SummaryWriter write it: `events.out.tfevents.<%010d seconds>.<host>.<pid>.<n>`
// in the log folder; each record is TFRecord-framed (uint64 length, masked CRC-32C of the length, the
// serialized Event, masked CRC-32C of the Event, little-endian); the first Event carries
// file_version "brain.Event:2". Scalars are Summary.Value{tag, simple_value} (add_scalar's default form),
// texts the text plugin's DT_STRING tensor under `<tag>/text_summary` (add_text). A SessionLog START at
// step s makes TensorBoard drop the folder's earlier events at steps >= s (SummaryWriter's purge_step).
// Records are appended and flushed one by one (HF's TensorBoardCallback flushes after every log);
// a record cut short by a crash fails its CRC and readers stop there.

import { closeSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { maskedCrc32c } from "./crc32c.ts";
import { bytesField, concat, doubleField, type Field, floatField, messageField, varintField } from "./protobuf.ts";

// Field numbers of tensorboard/compat/proto: event.proto, summary.proto, tensor.proto, tensor_shape.proto.
const EVENT = { wallTime: 1, step: 2, fileVersion: 3, summary: 5, sessionLog: 7, sourceMetadata: 10 } as const;
const SUMMARY_VALUE = { tag: 1, simpleValue: 2, tensor: 8, metadata: 9 } as const;
const SESSION_START = 1;
const DT_STRING = 7;

let filesOpened = 0;

export function eventFileName(now = Date.now()): string {
  const seconds = String(Math.floor(now / 1000)).padStart(10, "0");
  return `events.out.tfevents.${seconds}.${hostname()}.${process.pid}.${filesOpened++}`;
}

export class EventFileWriter {
  readonly path: string;
  private fd: number | undefined;

  /** Creates a new event file in `folder` (which must exist) and writes the file_version event. */
  constructor(folder: string) {
    this.path = join(folder, eventFileName());
    this.fd = openSync(this.path, "wx");
    this.write(event(0, bytesField(EVENT.fileVersion, "brain.Event:2"), messageField(EVENT.sourceMetadata, bytesField(1, "embedtune"))));
  }

  addScalar(tag: string, value: number, step: number): void {
    this.write(event(step, messageField(EVENT.summary, messageField(1, bytesField(SUMMARY_VALUE.tag, tag), floatField(SUMMARY_VALUE.simpleValue, value)))));
  }

  addText(tag: string, text: string, step = 0): void {
    const metadata = messageField(SUMMARY_VALUE.metadata, messageField(1, bytesField(1, "text")));
    const tensor = messageField(
      SUMMARY_VALUE.tensor,
      varintField(1, DT_STRING),
      messageField(2, messageField(2, varintField(1, 1))),
      bytesField(8, text),
    );
    this.write(event(step, messageField(EVENT.summary, messageField(1, bytesField(SUMMARY_VALUE.tag, `${tag}/text_summary`), metadata, tensor))));
  }

  /** SessionLog START at `step`: TensorBoard discards this folder's earlier events at steps >= step. */
  purgeFrom(step: number): void {
    this.write(event(step, messageField(EVENT.sessionLog, varintField(1, SESSION_START))));
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private write(serialized: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    writeSync(this.fd, tfRecord(serialized));
  }
}

/** An Event now at `step` (proto3 leaves step 0 out) with the given fields. */
function event(step: number, ...fields: Field[]): Uint8Array {
  return concat([doubleField(EVENT.wallTime, Date.now() / 1000), ...(step !== 0 ? [varintField(EVENT.step, step)] : []), ...fields]);
}

/** One TFRecord: length, its masked CRC, the data, the data's masked CRC. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const header = new Uint8Array(8);
  new DataView(header.buffer).setBigUint64(0, BigInt(data.length), true);
  const crcs = new Uint8Array(8);
  const view = new DataView(crcs.buffer);
  view.setUint32(0, maskedCrc32c(header), true);
  view.setUint32(4, maskedCrc32c(data), true);
  return concat([header, crcs.subarray(0, 4), data, crcs.subarray(4)]);
}
