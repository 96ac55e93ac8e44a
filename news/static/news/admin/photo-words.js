// The article form: the lead photo's own caption and credit show, greyed, in the boxes that
// override them (what prints if they are left blank). When the editor chooses another photo,
// or clears it, the grey words follow at once, not only when the form is next opened.
// (Wagtail puts the editor's scripts in the page's head: the form is there once it has loaded.)
document.addEventListener("DOMContentLoaded", () => {
  const photo = document.getElementById("id_lead_image");
  const caption = document.getElementById("id_lead_image_caption");
  const credit = document.getElementById("id_lead_image_credit");
  if (!photo || !caption || !credit || !caption.dataset.photoWordsUrl) return;
  let asked = 0;

  const show = (words) => {
    caption.placeholder = words.caption || "";
    credit.placeholder = words.credit || "";
  };

  const follow = async () => {
    const id = photo.value;
    const mine = ++asked;
    if (!id) return show({});
    try {
      const response = await fetch(caption.dataset.photoWordsUrl.replace("/0/", `/${id}/`), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      // A later choice wins over an answer that arrives late.
      if (mine === asked) show(response.ok ? await response.json() : {});
    } catch {
      if (mine === asked) show({});
    }
  };

  photo.addEventListener("change", follow);
});
