docker run -d --name pinger alpine ping 127.0.0.1
sleep 2
docker logs pinger
docker container top pinger
docker container inspect pinger
docker container stats --no-stream
# l'espace disque... vu seulement par la colonne SIZE des images
docker images
