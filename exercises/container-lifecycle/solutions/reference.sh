# Créer sans exécuter : statut Created
docker container create --name cycle alpine ping 127.0.0.1
docker container ls -a
# Démarrer : statut Up
docker container start cycle
docker container ls
# Mettre en pause puis reprendre
docker container pause cycle
docker container ls
docker container unpause cycle
# Stopper avec un SIGTERM (puis SIGKILL au bout de 10 s : ping ne gère pas SIGTERM)
docker container stop cycle
docker container ls -a
# Renommer, redémarrer, tuer avec un SIGKILL
docker container rename cycle cycle2
docker container start cycle2
docker container kill cycle2
docker container ls -a
