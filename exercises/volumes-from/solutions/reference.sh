# Chapitre 4 : persistance des volumes et --volumes-from
docker volume create partage
# « ecrivain » écrit dans le volume puis s'arrête
docker run --name ecrivain -v partage:/partage debian bash -c "echo 'bonjour de la part de ecrivain' > /partage/message.txt"
docker ps -a
# « lecteur » monte les volumes d'ecrivain (arrêté : ses volumes sont encore disponibles)
docker run -dit --name lecteur --volumes-from ecrivain debian
docker exec lecteur cat /partage/message.txt
# Le volume existe indépendamment des conteneurs
docker rm ecrivain
docker volume ls
docker exec lecteur ls /partage
