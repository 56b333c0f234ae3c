import { sampleTransfer, type TransferSample, type TransferSampleTask } from '../components/irmen/transfer-sample.js';

/** A worker thread of the device Monte Carlo (piscina): one slice of iterations per call. */
export default function sample(task: TransferSampleTask): TransferSample {
  return sampleTransfer(task);
}
