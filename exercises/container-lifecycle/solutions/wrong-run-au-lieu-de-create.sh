docker run -d --name cycle alpine ping 127.0.0.1
docker pause cycle
docker unpause cycle
docker stop cycle
docker rename cycle cycle2
docker start cycle2
docker kill cycle2
