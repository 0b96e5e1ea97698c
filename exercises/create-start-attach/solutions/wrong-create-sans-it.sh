docker container create --name alpine1 alpine
docker container start -ai alpine1
<<< echo retour > /root/retour.txt
<<< exit
docker container start -ai alpine1
<<< ls /root
<<< exit
docker container create --name alpine2 alpine
docker container start -ai alpine2
