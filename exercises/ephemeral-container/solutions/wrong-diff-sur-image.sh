docker run -it --name essai1 ubuntu bash
<<< echo test > /test.txt
<<< exit
# docker diff attend un conteneur, pas une image
docker diff ubuntu
docker rm essai1
docker run -dit --name essai2 ubuntu
docker exec essai2 ls /test.txt
