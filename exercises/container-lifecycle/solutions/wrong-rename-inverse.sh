docker container create --name cycle alpine ping 127.0.0.1
docker container start cycle
docker container pause cycle
docker container unpause cycle
docker container stop cycle
docker container rename cycle2 cycle
docker container start cycle2
docker container kill cycle2
