# Chapitre 3.2 : l'éphémérité et la couche en lecture/écriture
docker run -it --name essai1 ubuntu bash
<<< echo test > /test.txt
<<< ls /test.txt
<<< exit
# la couche R/W d'essai1 (arrêté) contient toujours le fichier
docker diff essai1
docker rm essai1
# un nouveau conteneur de la même image repart d'un état propre
docker run -dit --name essai2 ubuntu
docker exec essai2 ls /test.txt
docker ps -a
