"""grader.course.animation.jshtml: the lessons' animations work offline and say what they show."""
import matplotlib

matplotlib.use("Agg")


def test_jshtml_has_no_cdn_link_and_describes_its_frames():
    import matplotlib.pyplot as plt
    from matplotlib import animation

    from grader.course.animation import jshtml

    fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    anim = animation.FuncAnimation(fig, lambda i: ax.set_title(str(i)), frames=2)
    plain = anim.to_jshtml()
    html = jshtml(anim, alt='Two frames: "0" then 1 & done')
    plt.close(fig)
    assert "font-awesome" in plain, "matplotlib's player changed: check what jshtml removes"
    assert "http" not in html.split("<script")[0] and "font-awesome" not in html
    assert 'alt="Two frames: &quot;0&quot; then 1 &amp; done" id="_anim_img' in html
    assert html.count("data:image/png;base64") == 2
