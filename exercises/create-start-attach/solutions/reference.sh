# Chapitre 2 : créer sans exécuter, puis démarrer en s'attachant (start -ai)
docker container create --name alpine1 -it alpine
docker container ls -a
docker container start -ai alpine1
<<< echo retour > /root/retour.txt
<<< exit
# on redémarre LE MÊME conteneur : sa couche en lecture/écriture est toujours là
docker container start -ai alpine1
<<< ls /root
<<< exit
# créé sans -it : start -ai ne donne pas de shell, le conteneur s'arrête aussitôt
docker container create --name alpine2 alpine
docker container start -ai alpine2
docker container ls -a
