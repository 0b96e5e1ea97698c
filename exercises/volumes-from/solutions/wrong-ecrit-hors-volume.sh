docker volume create partage
# le fichier est écrit à la racine, dans la couche du conteneur, pas dans le volume monté sur /partage
docker run --name ecrivain -v partage:/partage debian bash -c "echo 'bonjour de la part de ecrivain' > /message.txt"
docker run -dit --name lecteur --volumes-from ecrivain debian
docker exec lecteur cat /partage/message.txt
docker rm ecrivain
docker volume ls
