import Docker from 'dockerode';
import { Agent } from 'node:http';

/**
 * Pings an engine on a connection opened for it, within `timeoutMs`. An engine shutting down
 * (SIGTERM: its host stopping) closes its socket at once, then stops its containers — seconds, up
 * to their stop timeout — while still answering on the connections already open, which clients
 * keep alive between requests: through those it looks alive, reports its containers running, and
 * a sandbox's engine goes on reporting its state, while every new connection (a student's `docker`
 * command) is refused. Only a new connection says whether it still serves.
 */
export async function pingOnNewConnection(docker: Docker, timeoutMs: number): Promise<void> {
  const { socketPath, host, port, protocol } = docker.modem as Docker.DockerOptions;
  const agent = new Agent({ keepAlive: false });
  // docker-modem takes an agent (its types do not say so).
  const options: Docker.DockerOptions & { agent: Agent } = { socketPath, host, port, protocol, agent };
  const once = new Docker(options);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      once.ping(),
      new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
    agent.destroy();
  }
}
