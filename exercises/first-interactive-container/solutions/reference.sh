# Chapitre 1 : créer et lancer un conteneur alpine
docker run alpine
docker ps -a
# Un terminal (-t) et l'entrée standard ouverte (-i) : on obtient le prompt « / # » du shell sh
docker run -it alpine
<<< ls /
<<< echo bonjour > /root/premier.txt
<<< ls /root
<<< cat /root/premier.txt
<<< exit
# La même commande crée un NOUVEAU conteneur, qui repart de l'image : premier.txt n'y est pas
docker run -it alpine
<<< ls /root
<<< exit
docker ps -a
