docker volume create partage
docker run --name ecrivain -v partage:/partage debian bash -c "echo 'bonjour de la part de ecrivain' > /partage/message.txt"
# --volumes-from attend un conteneur, pas une image
docker run -dit --name lecteur --volumes-from debian debian
docker exec lecteur cat /partage/message.txt
docker rm ecrivain
docker volume ls
