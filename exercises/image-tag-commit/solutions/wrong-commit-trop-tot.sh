docker run -dit --name atelier debian
docker commit atelier debian_bonjour
docker exec atelier sh -c 'echo "Bonjour depuis mon image" > /bonjour.txt'
docker diff atelier
docker tag debian_bonjour debian_bonjour:v1
docker run --rm debian_bonjour:v1 cat /bonjour.txt
