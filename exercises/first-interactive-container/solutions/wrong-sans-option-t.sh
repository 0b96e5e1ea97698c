docker run alpine
docker ps -a
# -i seul : l'entrée standard est ouverte, mais pas de terminal (pas de prompt « / # »)
docker run -i alpine
<<< echo bonjour > /root/premier.txt
<<< ls /root
docker run -i alpine
<<< ls /root
