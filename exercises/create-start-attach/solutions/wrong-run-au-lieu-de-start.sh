jean@portable:~$ docker container create --name alpine1 -it alpine
8f7e6d5c4b3a29180f7e6d5c4b3a29188f7e6d5c4b3a29180f7e6d5c4b3a2918
jean@portable:~$ docker container start -ai alpine1
/ # echo retour > /root/retour.txt
/ # exit
jean@portable:~$ docker run -it alpine
/ # ls /root
/ # exit
jean@portable:~$ docker container create --name alpine2 alpine
1a2b3c4d5e6f70819a2b3c4d5e6f70811a2b3c4d5e6f70819a2b3c4d5e6f7081
jean@portable:~$ docker container start -ai alpine2
jean@portable:~$ docker container ls -a
