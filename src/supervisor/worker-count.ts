/**
 * Worker processes `npm start` runs when WORKERS is unset: enough for the cores (each worker runs
 * WORKER_CONCURRENCY sandboxes of SANDBOX_CPUS), no more than memory allows (each sandbox may use
 * SANDBOX_MEMORY_MB; a quarter of the memory is left to PostgreSQL, Redis, the api and the system),
 * and at least one.
 */
export function defaultWorkerCount(input: {
  cores: number;
  memoryMb: number;
  concurrency: number;
  sandboxCpus: number;
  sandboxMemoryMb: number;
}): number {
  const perWorkerCpus = input.concurrency * input.sandboxCpus;
  const byCpu = Math.floor(input.cores / perWorkerCpus);
  const byMemory = Math.floor((input.memoryMb * 0.75) / (input.concurrency * input.sandboxMemoryMb));
  return Math.max(1, Math.min(byCpu, byMemory));
}
