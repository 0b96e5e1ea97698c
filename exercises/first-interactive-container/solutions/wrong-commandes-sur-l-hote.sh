docker run alpine
docker run -it alpine
echo bonjour > premier.txt
ls
docker run -it alpine
ls
