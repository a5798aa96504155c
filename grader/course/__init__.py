"""Course helpers the chapter checks and lessons use: datasets, losses, Keras model reading, the pretrained base."""
