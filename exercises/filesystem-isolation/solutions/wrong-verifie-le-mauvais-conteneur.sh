docker run -dit --name alpine1 alpine
docker run -dit --name alpine2 alpine
docker exec -it alpine1 sh
<<< touch /root/test
<<< exit
# vérifie... dans alpine1 au lieu d'alpine2, et regarde le diff du mauvais conteneur
docker exec alpine1 ls /root
docker container diff alpine2
