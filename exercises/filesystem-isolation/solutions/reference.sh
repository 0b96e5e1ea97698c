# deux conteneurs à partir de la même image, actifs en arrière-plan
docker run -dit --name alpine1 alpine
docker run -dit --name alpine2 alpine
# un shell dans alpine1 : on crée un fichier puis on vérifie qu'il est là
docker exec -it alpine1 sh
<<< touch /root/test
<<< ls /root
<<< exit
# alpine2 ne le voit pas
docker exec alpine2 ls /root
docker container diff alpine1
docker ps -a
