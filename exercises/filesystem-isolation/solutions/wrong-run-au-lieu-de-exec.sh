docker run -dit --name alpine1 alpine
docker run -dit --name alpine2 alpine
docker run alpine touch /root/test
docker exec alpine2 ls /root
docker container diff alpine1
