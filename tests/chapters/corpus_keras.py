"""Realistic student answers for the Keras chapters (7–11), typed as students type them: wrong in the
ways students are wrong, and right in forms other than the reference. Each entry gives the verdict it
must get; a wrong answer may also give a phrase its message must contain.

Entries are (chapter, question, code, verdict[, phrase]). ``code`` runs in a namespace like the
exercise's after its set-up cell (np, tf, keras, the chapter's exports). test_corpus_keras.py runs
them and measures, per chapter, the share of wrong answers that get a specific diagnosis.
"""

RIGHT, WRONG = "right", "wrong"

SEQ = ("keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 3, activation='relu'), "
       "keras.layers.MaxPooling2D(2), keras.layers.Conv2D(32, 3, activation='relu'), keras.layers.MaxPooling2D(2), "
       "keras.layers.Flatten(), keras.layers.Dense(64, activation='relu'), keras.layers.Dense(10, {out})])")

CH07 = [
    ("q_1.a", "dense_params = 256*256*3*64 + 64", RIGHT),
    ("q_1.a", "dense_params = (256*256*3 + 1) * 64", RIGHT),
    ("q_1.a", "dense_params = 256*256*3*64", WRONG, "biases"),
    ("q_1.a", "dense_params = 256*256*64 + 64", WRONG, "colour channels"),
    ("q_1.a", "dense_params = 256 * 256 * 3", WRONG, "inputs"),
    ("q_1.a", "dense_params = 12582976.0", WRONG, "`//`"),
    ("q_1.a", "dense_params = '12,582,976'", WRONG, "without quotes"),
    ("q_1.b", "conv_params = 3*3*3*64 + 64", RIGHT),
    ("q_1.b", "conv_params = np.int64(1792)", RIGHT),
    ("q_1.b", "conv_params = 3*3*64 + 64", WRONG, "input channels"),
    ("q_1.b", "conv_params = 3*3*3*64", WRONG, "biases"),
    ("q_1.b", "conv_params = (3*3*3*64 + 64) * 254 * 254", WRONG, "shared"),
    ("q_1.b", "conv_params = 3*3*3*64 + 1", WRONG),
    ("q_2", "model = " + SEQ.format(out="activation='softmax'"), RIGHT),
    ("q_2", "model = " + SEQ.format(out="activation=tf.nn.softmax"), RIGHT),
    ("q_2", "inputs = keras.Input((28, 28, 1))\n"
            "x = keras.layers.Conv2D(16, (3, 3), activation='relu')(inputs)\nx = keras.layers.MaxPool2D()(x)\n"
            "x = keras.layers.Conv2D(32, 3)(x)\nx = keras.layers.ReLU()(x)\nx = keras.layers.MaxPool2D()(x)\n"
            "x = keras.layers.Flatten()(x)\nx = keras.layers.Dense(64, activation=keras.activations.relu)(x)\n"
            "model = keras.Model(inputs, keras.layers.Dense(10, activation='softmax')(x))", RIGHT),
    ("q_2", "model = " + SEQ.format(out=""), WRONG, "raw scores"),
    ("q_2", "model = " + SEQ.format(out="activation='sigmoid'"), WRONG, "sigmoid"),
    ("q_2", "model = " + SEQ.replace("keras.layers.Flatten(), ", "").format(out="activation='softmax'"), WRONG,
     "Flatten"),
    ("q_2", "model = " + SEQ.replace("Conv2D(16, 3, activation='relu')", "Conv2D(16, 3, padding='same', "
                                     "activation='relu')").format(out="activation='softmax'"), WRONG, "padding"),
    ("q_2", "model = " + SEQ.replace("Conv2D(32, 3, activation='relu')", "Conv2D(32, 3)").format(
        out="activation='softmax'"), WRONG, "activation"),
    ("q_2", "model = " + SEQ.replace("keras.Input((28, 28, 1)), ", "").format(out="activation='softmax'"), WRONG,
     "input shape"),
    ("q_2", "model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(64, "
            "activation='relu'), keras.layers.Dense(10, activation='softmax')])", WRONG, "channel axis"),
    ("q_2", "model = " + SEQ.replace("Dense(64", "Dense(128").format(out="activation='softmax'"), WRONG, "128"),
    ("q_2", "model = " + SEQ.format(out="activation='softmax'") + ".summary()", WRONG, "`None`"),
    ("q_3.a", "loss_int = 'sparse_categorical_crossentropy'", RIGHT),
    ("q_3.a", "loss_int = keras.losses.SparseCategoricalCrossentropy()", RIGHT),
    ("q_3.a", "loss_int = 'categorical_crossentropy'", WRONG, "one-hot"),
    ("q_3.a", "loss_int = 'accuracy'", WRONG, "metric"),
    ("q_3.a", "loss_int = keras.losses.SparseCategoricalCrossentropy(from_logits=True)", WRONG, "from_logits"),
    ("q_3.a", "loss_int = 'sparse_crossentropy'", WRONG, "no loss called"),
    ("q_3.b", "loss_onehot = 'CategoricalCrossentropy'", RIGHT),
    ("q_3.b", "loss_onehot = 'sparse_categorical_crossentropy'", WRONG, "one integer"),
    ("q_3.b", "loss_onehot = 'mse'", WRONG, "regression"),
    ("q_3.c", "loss_binary = keras.losses.binary_crossentropy", RIGHT),
    ("q_3.c", "loss_binary = 'categorical_crossentropy'", WRONG, "loss is 0"),
    ("q_3.c", "loss_binary = keras.losses.BinaryCrossentropy", WRONG, "parentheses"),
    ("q_4", "layer_params = [224, 0, 1168, 0, 0, 18464, 132]", RIGHT),
    ("q_4", "layer_params = np.array([3*3*3*8+8, 0, 3*3*8*16+16, 0, 0, 6*6*16*32+32, 32*4+4])", RIGHT),
    ("q_4", "layer_params = [224, 1168, 18464, 132]", WRONG, "7 layers"),
    ("q_4", "layer_params = [224, 0, 160, 0, 0, 18464, 132]", WRONG, "input channels"),
    ("q_4", "layer_params = [224, 0, 1168, 0, 0, 25120, 132]", WRONG, "Flatten"),
    ("q_4", "layer_params = [216, 0, 1152, 0, 0, 18432, 128]", WRONG, "biases"),
    ("q_5.a", "best_epoch = int(np.argmin(history_q['val_loss'])) + 1", RIGHT),
    ("q_5.a", "best_epoch = np.argmin(history_q['val_loss'])", WRONG, "index"),
    ("q_5.a", "best_epoch = np.argmax(history_q['val_accuracy']) + 1", WRONG, "accuracy"),
    ("q_5.a", "best_epoch = 16", WRONG, "training"),
    ("q_5.b", "curves_show = 'B'", RIGHT),
    ("q_5.b", "curves_show = '(b)'", RIGHT),
    ("q_5.b", "curves_show = 'a'", WRONG, "underfitting"),
    ("q_5.b", "curves_show = 2", WRONG),
    ("q_6", "trained_model = " + SEQ.format(out="activation='softmax'"), WRONG, "never compiled"),
    ("q_6", "d = digits_split()\ntrained_model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), "
            "keras.layers.Dense(10, activation='softmax')])\ntrained_model.compile('adam', "
            "'sparse_categorical_crossentropy')\ntrained_model.fit(d.x_val, d.y_val, epochs=1, verbose=0)", WRONG,
     "fitted on"),
    ("q_6", "d = digits_split()\nm = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), "
            "keras.layers.Dense(10, activation='softmax')])\nm.compile('adam', 'sparse_categorical_crossentropy')\n"
            "trained_model = m.fit(d.x_train, d.y_train, epochs=1, verbose=0)", WRONG, "`History`"),
    ("q_6", "trained_model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation='softmax')])",
     WRONG, "flat vectors"),
]

DIGIT_AUG = ("keras.Sequential([keras.layers.RandomFlip('horizontal'), keras.layers.RandomRotation({rot}), "
             "keras.layers.RandomZoom({zoom}), keras.layers.RandomTranslation(0.1, 0.1)])")
REG = ("keras.Sequential([keras.Input((28, 28, 1)), {aug}keras.layers.Conv2D(16, 3, activation='relu'), "
       "keras.layers.MaxPooling2D(), keras.layers.Flatten(), {drop}keras.layers.Dense(10, activation='softmax')])")

CH08 = [
    ("q_1", "def make_augment():\n    return " + DIGIT_AUG.format(rot="0.1", zoom="0.2"), RIGHT),
    ("q_1", "def make_augment():\n    return " + DIGIT_AUG.format(rot="(-0.1, 0.1)", zoom="(-0.2, 0.2)"), RIGHT),
    ("q_1", "def make_augment():\n    inputs = keras.Input((32, 32, 3))\n    x = keras.layers.RandomFlip('horizontal')"
            "(inputs)\n    x = keras.layers.RandomRotation(0.1)(x)\n    x = keras.layers.RandomZoom(0.2)(x)\n"
            "    return keras.Model(inputs, keras.layers.RandomTranslation(0.1, 0.1)(x))", RIGHT),
    ("q_1", "def make_augment():\n    return " + DIGIT_AUG.format(rot="36", zoom="0.2"), WRONG, "36/360"),
    ("q_1", "def make_augment():\n    return " + DIGIT_AUG.format(rot="0.628", zoom="0.2"), WRONG, "radians"),
    ("q_1", "def make_augment():\n    return " + DIGIT_AUG.format(rot="0.1", zoom="20"), WRONG, "RandomZoom"),
    ("q_1", "def make_augment():\n    return " + DIGIT_AUG.replace("RandomFlip('horizontal')", "RandomFlip()").format(
        rot="0.1", zoom="0.2"), WRONG, "upside down"),
    ("q_1", "def make_augment():\n    return " + DIGIT_AUG.replace("keras.layers.RandomTranslation(0.1, 0.1)", "")
     .replace("0.2), ", "0.2)").format(rot="0.1", zoom="0.2"), WRONG, "missing"),
    ("q_1", "make_augment = " + DIGIT_AUG.format(rot="0.1", zoom="0.2"), WRONG),
    ("q_2", "keep_for_digits = {'a', 'e', 'f', 'g'}", RIGHT),
    ("q_2", "keep_for_digits = 'a, e, f, g'", RIGHT),
    ("q_2", "keep_for_digits = ['A', 'E', 'F', 'G']", RIGHT),
    ("q_2", "keep_for_digits = {'a', 'c', 'e', 'f', 'g'}", WRONG, "mirror"),
    ("q_2", "keep_for_digits = {'a', 'e', 'f'}", WRONG, "missing"),
    ("q_2", "keep_for_digits = {'a', 'b', 'e', 'f', 'g'}", WRONG, "6 into a 9"),
    ("q_3.a", "dropout_values = [0, 4/3]", RIGHT),
    ("q_3.a", "dropout_values = np.array([0.0, 1.3333])", RIGHT),
    ("q_3.a", "dropout_values = [0, 1]", WRONG, "inverted"),
    ("q_3.a", "dropout_values = [0, 0.75]", WRONG, "2014"),
    ("q_3.a", "dropout_values = [0, 4]", WRONG, "rate"),
    ("q_3.b", "dropout_inference = x_drop", RIGHT),
    ("q_3.b", "dropout_inference = x_drop * 0.75", WRONG, "2014"),
    ("q_3.b", "dropout_inference = np.array([[0, 2, 3, 4]])", WRONG, "inference"),
    ("q_3.c", "same_output_every_time = 'b'", RIGHT),
    ("q_3.c", "same_output_every_time = 'c'", WRONG, "training=True"),
    ("q_4", "def build_dropout_model():\n    return " + REG.format(aug="", drop="keras.layers.Dropout(0.5), ").replace(
        "keras.layers.Flatten(), ", "keras.layers.Conv2D(32, 3, activation='relu'), keras.layers.MaxPooling2D(), "
        "keras.layers.Flatten(), keras.layers.Dense(64, activation='relu'), "), RIGHT),
    ("q_4", "def build_dropout_model():\n    return " + REG.format(aug="", drop="keras.layers.Dropout(50), "), WRONG,
     "between 0 and 1"),
    ("q_4", "def build_dropout_model():\n    return " + REG.format(aug="keras.layers.Dropout(0.5), ", drop=""), WRONG,
     "before the first convolution"),
    ("q_4", "def build_dropout_model():\n    return " + REG.format(aug="", drop="").replace(
        "activation='softmax')]", "activation='softmax'), keras.layers.Dropout(0.5)]"), WRONG, "after the output"),
    ("q_5", "def make_augment_k3():\n    return keras.Sequential([keras.layers.Rescaling(1./255), "
            "keras.layers.RandomRotation(30/360), keras.layers.RandomTranslation(0.2, 0.1), keras.layers.RandomZoom(0.25), "
            "keras.layers.RandomFlip('horizontal')])", RIGHT),
    ("q_5", "def make_augment_k3():\n    return keras.Sequential([keras.layers.Rescaling(1./255), "
            "keras.layers.RandomRotation(30), keras.layers.RandomTranslation(0.2, 0.1), keras.layers.RandomZoom(0.25), "
            "keras.layers.RandomFlip('horizontal')])", WRONG, "30/360"),
    ("q_5", "def make_augment_k3():\n    return keras.Sequential([keras.layers.Rescaling(1./255), "
            "keras.layers.RandomRotation(30/360), keras.layers.RandomTranslation(0.1, 0.2), keras.layers.RandomZoom(0.25), "
            "keras.layers.RandomFlip('horizontal')])", WRONG, "swapped"),
    ("q_5", "def make_augment_k3():\n    return keras.Sequential([keras.layers.Rescaling(255), "
            "keras.layers.RandomRotation(30/360), keras.layers.RandomTranslation(0.2, 0.1), keras.layers.RandomZoom(0.25), "
            "keras.layers.RandomFlip('horizontal')])", WRONG, "divides"),
    ("q_6", "model_reg = " + REG.format(aug="keras.layers.RandomRotation(0.03), ", drop="keras.layers.Dropout(0.5), "),
     WRONG, "never compiled"),
    ("q_6", "model_reg = " + REG.format(aug="keras.layers.RandomFlip(), ", drop="keras.layers.Dropout(0.5), "), WRONG,
     "RandomFlip"),
    ("q_6", "model_reg = " + REG.format(aug="keras.layers.RandomZoom(0.1), ", drop=""), WRONG, "Dropout"),
    ("q_6", "model_reg = " + REG.format(aug="keras.layers.RandomZoom(0.1), ", drop="keras.layers.Dropout(0.25), "),
     WRONG, "Dropout(0.5)"),
    ("q_6", "model_reg = " + REG.format(aug="keras.layers.RandomRotation(0.5), ", drop="keras.layers.Dropout(0.5), "),
     WRONG, "6 into a 9"),
    ("q_7", "why_gap_closed = 'b'", RIGHT),
    ("q_7", "why_gap_closed = 'd'", WRONG, "inference mode"),
]

FE = ("base = load_base()\n{freeze}inputs = keras.Input(shape=(32, 32, 1))\nx = base(inputs{training})\n"
      "x = keras.layers.Flatten()(x)\n{var} = keras.Model(inputs, keras.layers.Dense({units}, activation={act})(x))")


def fe(var="transfer_model", freeze="base.trainable = False\n", training=", training=False", units=5,
       act="'softmax'"):
    return FE.format(var=var, freeze=freeze, training=training, units=units, act=act)


FT = ("def prepare_fine_tuning(model):\n    base = model.get_layer('course_base')\n    base.trainable = True\n"
      "    for layer in base.layers:\n        layer.trainable = {cond}\n"
      "    model.compile(optimizer={opt}, loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n")


def ft(cond="layer.name.startswith('block3')", opt="keras.optimizers.Adam(learning_rate=1e-4)"):
    return FT.format(cond=cond, opt=opt)


CH09 = [
    ("q_1.a", "frozen_trainable = 4*4*512*256 + 256 + 256 + 1", RIGHT),
    ("q_1.a", "frozen_trainable = 16812353", WRONG, "every parameter"),
    ("q_1.a", "frozen_trainable = 14714688", WRONG, "non"),
    ("q_1.a", "frozen_trainable = 7*7*512*256 + 256 + 257", WRONG, "224"),
    ("q_1.b", "finetune_trainable = 9177089", RIGHT),
    ("q_1.b", "finetune_trainable = 7079424", WRONG, "head"),
    ("q_1.c", "finetune_frozen = 14714688 - 7079424", RIGHT),
    ("q_1.c", "finetune_frozen = 0", WRONG, "frozen"),
    ("q_2", fe(), RIGHT),
    ("q_2", fe(act="tf.nn.softmax"), RIGHT),
    ("q_2", fe(act="'sigmoid'"), WRONG, "sigmoid"),
    ("q_2", fe(freeze=""), WRONG, "not frozen"),
    ("q_2", fe(training=""), WRONG, "training=False"),
    ("q_2", fe(units=10), WRONG, "5 classes"),
    ("q_2", "base = load_base()\nbase.trainable = False\ntransfer_model = keras.Sequential([keras.Input((32, 32, 1)), "
            "base, keras.layers.Flatten(), keras.layers.Dense(5, activation='softmax')])", WRONG, "training=False"),
    ("q_2", fe().replace("base = load_base()", "base = load_base\nbase = base()"), RIGHT),
    ("q_3.a", "after_fit_unfreeze = 'c'", RIGHT),
    ("q_3.a", "after_fit_unfreeze = 'a'", WRONG),
    ("q_3.b", "why_inference = 'b'", RIGHT),
    ("q_3.b", "why_inference = 'd'", WRONG),
    ("q_4", ft(), RIGHT),
    ("q_4", ft(cond="'block3' in layer.name"), RIGHT),
    ("q_4", ft(opt="keras.optimizers.Adam(1e-3)"), WRONG, "learning rate"),
    ("q_4", ft(opt="'adam'"), WRONG, "feature-extraction rate"),
    ("q_4", ft(opt="keras.optimizers.SGD(learning_rate=1e-4)"), WRONG, "SGD"),
    ("q_4", ft(opt="keras.optimizers.Adam(lr=1e-4)"), WRONG, "lr="),
    ("q_4", ft(cond="layer.name == 'block3_conv'"), WRONG, "block3_bn"),
    ("q_4", ft(cond="True"), WRONG, "whole base"),
    ("q_4", "def prepare_fine_tuning(model):\n    for layer in model.get_layer('course_base').layers:\n"
            "        if layer.name.startswith('block3'):\n            layer.trainable = True\n", WRONG, "compiling"),
    ("q_5", fe("fe_model"), WRONG, "never compiled"),
    ("q_5", fe("fe_model", freeze=""), WRONG, "not frozen"),
    ("q_5", fe("fe_model", units=10), WRONG, "5 classes"),
    ("q_5", fe("fe_model") + "\ndata = target_task()\nfe_model.compile('adam', 'sparse_categorical_crossentropy')\n"
            "fe_model.fit(data.x_val, data.y_val, epochs=1, verbose=0)", WRONG, "fitted on"),
]

DEC = ("decoder = keras.Sequential([keras.Input(shape={shape}), keras.layers.Conv2D(8, 3, activation='relu', "
       "padding='same'), keras.layers.UpSampling2D(2), keras.layers.Conv2D(8, 3, activation='relu', padding='same'), "
       "keras.layers.UpSampling2D(2), keras.layers.Conv2D(16, 3, activation='relu'{pad}), keras.layers.UpSampling2D(2), "
       "keras.layers.Conv2D({ch}, 3, activation={act}, padding='same')])")


def dec(shape="(4, 4, 8)", pad="", ch=1, act="'sigmoid'"):
    return DEC.format(shape=shape, pad=pad, ch=ch, act=act)


CH10 = [
    ("q_1.a", "code_shape = (4, 4, 8)", RIGHT),
    ("q_1.a", "code_shape = [4, 4, 8]", RIGHT),
    ("q_1.a", "code_shape = make_encoder().output_shape[1:]", RIGHT),
    ("q_1.a", "code_shape = make_encoder().output_shape", WRONG, "batch axis"),
    ("q_1.a", "code_shape = (3, 3, 8)", WRONG, "valid"),
    ("q_1.a", "code_shape = (4, 4, 16)", WRONG, "channel"),
    ("q_1.a", "code_shape = (8, 4, 4)", WRONG, "channels first"),
    ("q_1.a", "code_shape = '(4, 4, 8)'", WRONG, "string"),
    ("q_1.b", "code_size = 4 * 4 * 8", RIGHT),
    ("q_1.b", "code_size = 28 * 28", WRONG, "input"),
    ("q_1.b", "code_size = 7 * 7 * 8", WRONG, "two poolings"),
    ("q_2", "t_by_hand = np.zeros((5, 5))\nfor i in range(2):\n    for j in range(2):\n"
            "        t_by_hand[2*i:2*i+3, 2*j:2*j+3] += x_t[i, j] * w_t", RIGHT),
    ("q_2", "t_by_hand = np.zeros((5, 5))\nfor i in range(2):\n    for j in range(2):\n"
            "        t_by_hand[2*i:2*i+3, 2*j:2*j+3] = x_t[i, j] * w_t", WRONG, "*adds*"),
    ("q_2", "t_by_hand = np.zeros((4, 4))\nfor i in range(2):\n    for j in range(2):\n"
            "        t_by_hand[i:i+3, j:j+3] += x_t[i, j] * w_t", WRONG, "stride"),
    ("q_3", "def transposed_size(n, kernel, stride, padding='valid', output_padding=None):\n"
            "    if output_padding is None:\n        return n * stride if padding == 'same' else (n - 1) * stride + kernel\n"
            "    p = kernel // 2 if padding == 'same' else 0\n    return (n - 1) * stride + kernel - 2 * p + output_padding",
     RIGHT),
    ("q_3", "def transposed_size(n, kernel, stride, padding='valid', output_padding=None):\n"
            "    return (n - 1) * stride + kernel", WRONG),
    ("q_3", "def transposed_size(n, kernel, stride, padding='valid', output_padding=None):\n"
            "    return (n - kernel) // stride + 1", WRONG, "ordinary"),
    ("q_3", "def transposed_size(n, kernel, stride, padding='valid', output_padding=None):\n"
            "    if output_padding is None:\n        return n * stride if padding == 'same' else (n - 1) * stride + kernel\n"
            "    p = kernel / 2 if padding == 'same' else 0\n    return (n - 1) * stride + kernel - 2 * p + output_padding",
     WRONG),
    ("q_4", "even_overlap = 'b'", RIGHT),
    ("q_4", "even_overlap = 'c'", WRONG, "crops"),
    ("q_5", dec(), RIGHT),
    ("q_5", dec(act="'relu'"), WRONG, "sigmoid"),
    ("q_5", dec(ch=8), WRONG, "channels"),
    ("q_5", dec(pad=", padding='same'"), WRONG, "32"),
    ("q_5", dec(shape="(28, 28, 1)"), WRONG, "whole autoencoder"),
    ("q_6", "recon_loss = 'binary_crossentropy'", RIGHT),
    ("q_6", "recon_loss = 'mse'", RIGHT),
    ("q_6", "recon_loss = keras.losses.MeanSquaredError()", RIGHT),
    ("q_6", "recon_loss = 'categorical_crossentropy'", WRONG, "0 whatever"),
    ("q_6", "recon_loss = 'sparse_categorical_crossentropy'", WRONG, "integer"),
    ("q_6", "recon_loss = 'accuracy'", WRONG, "metric"),
    ("q_7", "denoiser = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Conv2D(1, 3, "
            "activation='sigmoid', padding='same')])", WRONG),
    ("q_7", "denoiser = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(), "
            "keras.layers.Dense(10)])", WRONG, "same shape"),
]

CH11_ASCENT = ("def ascent_step(feature_model, image, filter_index, step=0.01):\n"
               "    x = tf.convert_to_tensor(image)\n    with tf.GradientTape() as tape:\n{watch}"
               "        loss = tf.reduce_mean(feature_model(x)[..., filter_index])\n"
               "    grads = tape.gradient(loss, x)\n    grads = grads / (tf.sqrt(tf.reduce_mean(tf.square(grads))) + 1e-5)\n"
               "    return {ret}")


def ascent(watch="        tape.watch(x)\n", ret="(x + step * grads).numpy()"):
    return CH11_ASCENT.format(watch=watch, ret=ret)


CAM = ("def grad_cam(model, image, class_index, layer_name):\n"
       "    cam_model = keras.Model(model.input, [model.get_layer(layer_name).output, model.output])\n"
       "    with tf.GradientTape() as tape:\n        maps, scores = cam_model(image[np.newaxis])\n"
       "        score = scores[:, {cls}]\n    grads = tape.gradient(score, maps)\n"
       "    weights = tf.reduce_mean(grads, axis={axes})\n"
       "    heatmap = {relu}(tf.reduce_sum(maps[0] * weights, axis=-1))\n    return {ret}")


def cam(cls="class_index", axes="(0, 1, 2)", relu="tf.nn.relu", ret="(heatmap / tf.reduce_max(heatmap)).numpy()"):
    return CAM.format(cls=cls, axes=axes, relu=relu, ret=ret)


CH11 = [
    ("q_1", "convnet = make_convnet()\nactivation_model = keras.Model(convnet.input, "
            "[convnet.get_layer(n).output for n in CONV_LAYERS])", RIGHT),
    ("q_1", "convnet = make_convnet()\nactivation_model = keras.Model(inputs=convnet.inputs, "
            "outputs=[convnet.get_layer('conv1').output, convnet.get_layer('conv2').output, "
            "convnet.get_layer('conv3').output])", RIGHT),
    ("q_1", "convnet = make_convnet()\nactivation_model = keras.Model(convnet.input, "
            "[layer.output for layer in convnet.layers[1:]])", WRONG, "outputs"),
    ("q_1", "convnet = make_convnet()\nactivation_model = keras.Model(convnet.input, "
            "[convnet.get_layer(n).output for n in ('conv1', 'pool1', 'conv2')])", WRONG, "pooling"),
    ("q_1", "convnet = make_convnet()\nactivation_model = [convnet.get_layer(n).output for n in CONV_LAYERS]", WRONG,
     "symbolic"),
    ("q_2.a", "convnet = make_convnet()\nkernel_5 = convnet.get_layer('conv1').get_weights()[0][:, :, 0, 5]", RIGHT),
    ("q_2.a", "convnet = make_convnet()\nkernel_5 = convnet.get_layer('conv1').kernel.numpy()[..., 0, 5]", RIGHT),
    ("q_2.a", "convnet = make_convnet()\nkernel_5 = convnet.get_layer('conv1').get_weights()[0][:, :, :, 5]", WRONG,
     "input-channel"),
    ("q_2.a", "convnet = make_convnet()\nkernel_5 = convnet.get_layer('conv1').get_weights()[0][:, :, 0, 4]", WRONG,
     "filter 4"),
    ("q_2.a", "convnet = make_convnet()\nkernel_5 = convnet.get_layer('conv1').get_weights()[1]", WRONG, "biases"),
    ("q_2.b", "kernel_5_detects = 'b'", RIGHT),
    ("q_2.b", "kernel_5_detects = 'c'", WRONG, "sign"),
    ("q_3", "def channel_to_pixels(channel):\n    z = (channel - channel.mean()) / (channel.std() + 1e-5)\n"
            "    return np.clip(128 + 64 * z, 0, 255).astype('uint8')", RIGHT),
    ("q_3", "def channel_to_pixels(channel):\n    z = (channel - channel.mean()) / channel.std()\n"
            "    return np.clip(128 + 64 * z, 0, 255).astype('uint8')", WRONG, "constant channel"),
    ("q_3", "def channel_to_pixels(channel):\n    z = (channel - channel.mean()) / (channel.std() + 1e-5)\n"
            "    return (128 + 64 * z).astype('uint8')", WRONG, "wrap around"),
    ("q_3", "def channel_to_pixels(channel):\n    z = (channel - channel.mean()) / (channel.std() + 1e-5)\n"
            "    return np.clip(128 + 64 * z, 0, 255)", WRONG, "uint8"),
    ("q_3", "def channel_to_pixels(channel):\n    channel -= channel.mean()\n    channel /= channel.std() + 1e-5\n"
            "    return np.clip(128 + 64 * channel, 0, 255).astype('uint8')", WRONG, "in place"),
    ("q_4", ascent(), RIGHT),
    ("q_4", ascent(ret="x - step * grads"), WRONG, "descent"),
    ("q_4", ascent(watch=""), WRONG, "watch"),
    ("q_4", ascent(ret="x + step * grads"), WRONG, "numpy"),
    ("q_4", ascent(ret="(step * grads).numpy()"), WRONG, "the step itself"),
    ("q_4", ascent(ret="(x + step * grads).numpy()[0]"), WRONG, "batch axis"),
    ("q_5", cam(), RIGHT),
    ("q_5", cam(ret="heatmap.numpy() / heatmap.numpy().max()"), RIGHT),
    ("q_5", cam(relu=""), WRONG, "ReLU"),
    ("q_5", cam(cls="tf.argmax(scores[0])"), WRONG, "predicts"),
    ("q_5", cam(axes="-1"), WRONG),
    ("q_5", cam(ret="heatmap.numpy()"), WRONG, "normalised"),
    ("q_5", cam(ret="heatmap / tf.reduce_max(heatmap)"), WRONG, "numpy"),
    ("q_6", "heatmap_reading = 'b'", RIGHT),
    ("q_6", "heatmap_reading = 'a'", WRONG, "water"),
]

CORPUS = {"ch07_keras_convnets": CH07, "ch08_augmentation": CH08, "ch09_transfer_learning": CH09,
          "ch10_autoencoder": CH10, "ch11_visualizing": CH11}

# What a message says when it names no specific mistake (the share of wrong answers getting one of these
# is what test_corpus_keras.py measures against the goal of at most 1 in 10).
GENERIC = ("is not the answer, and it is not one of the usual slips", "wrong result on the smallest failing input",
           "the checker could not judge", "values of `", "does not fit this task", "is not the best answer",
           "wrong result (shape", "checking `")
