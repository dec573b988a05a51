/** Stops the containers global setup started (none on machines without a container runtime). */
export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as { __customsContainers?: { stop(): Promise<unknown> }[] }).__customsContainers ?? [];
  for (const c of started) await c.stop();
}
