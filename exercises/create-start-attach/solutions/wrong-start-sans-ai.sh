docker container create --name alpine1 -it alpine
# sans -a ni -i : le conteneur démarre en arrière-plan, le terminal n'y est pas attaché
docker container start alpine1
echo retour > retour.txt
ls
docker container create --name alpine2 alpine
docker container start alpine2
docker container ls -a
