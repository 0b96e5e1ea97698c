docker run -d alpine ping 127.0.0.1
docker logs pinger
docker container top pinger
docker container inspect pinger
docker container stats --no-stream
docker system df
