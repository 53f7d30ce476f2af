FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home console && chown -R console /app
USER console
EXPOSE 8000
CMD ["uvicorn", "dinari_console.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--ws", "websockets-sansio"]
